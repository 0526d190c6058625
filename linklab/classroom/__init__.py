"""Class sessions: one lab server for a whole class (accounts, the Neo4j servers it runs, the console)."""
