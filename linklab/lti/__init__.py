"""LTI 1.3 for the class server: an LMS (Moodle, Canvas, ...) launches trainees into the lab and instructors
into the console, instructors pick exercises as LMS assignments (Deep Linking), scores go back to the LMS's
gradebook (Assignment and Grade Services) and the roster comes from it (Names and Role Provisioning).

- keys.py: the tool's signing key, made on first use (mode 600 in the state folder), and its JWKS;
- registry.py: platforms registered by the instructor, and what launches taught us (SQLite);
- launch.py: OIDC login initiation and the launch's id_token, checked as the LTI 1.3 security framework asks;
- services.py: the platform's token endpoint, line items and scores, memberships (stdlib HTTP);
- grades.py: which scores to send, the outbox that retries them, and the roster from the LMS.
Built on joserfc (JOSE/JWT, maintained); PyLTI1p3's last release is from 2022.
"""
