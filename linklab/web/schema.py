"""What the lab says about the data: the schema as it is loaded (labels that have nodes, each relationship type
with its start and end labels and direction, the properties of each, with what they mean) and what the
briefing names. Only what an analyst could observe: the :Scenario bookkeeping (its token, hash, seed, lease
fields) is never listed, so completion never offers a key that the grader then refuses."""

from __future__ import annotations

import neo4j

from .. import cypher
from ..cases.network import TYPE_PATTERN
from ..scenario.model import NODE_PROPERTIES, REL_SPECS

# What each label, relationship type and property means, in an analyst's words (README, "The schema").
LABELS = {
    "Person": "someone in the network: a member, a relative, a contact, a customer",
    "Account": "a social-media or messaging account",
    "Phone": "a phone number (subscriber records, seized handsets)",
    "Email": "an e-mail address",
    "Location": "a place: a city, an address, a venue or a prison",
    "Post": "something an account posted, sometimes geotagged",
    "Organization": "an organisation under investigation, or one of its crews",
    "Market": "a darknet market",
    "Wallet": "a cryptocurrency wallet",
    "Term": "a slang term and what it means (the glossary; linked to nothing)",
}
TYPES = {
    "USES": "the person uses the account (attribution)",
    "HAS_PHONE": "the person has the phone",
    "HAS_EMAIL": "the person has the e-mail address",
    "MEMBER_OF": "the person belongs to the organisation or crew (intelligence)",
    "PART_OF": "the crew is part of the organisation",
    "FAMILY_OF": "the two are relatives",
    "LIVES_AT": "where the person lives",
    "DETAINED_AT": "the person is held in that prison",
    "REGISTERED_WITH": "the account was opened with that phone or e-mail",
    "FOLLOWS": "the account follows the other",
    "MESSAGED": "the account sent messages to the other (the first account wrote)",
    "CALLED": "the phone called the other (the first phone dialled)",
    "POSTED": "the account posted the post",
    "TAGGED_AT": "the post is geotagged at the place",
    "MENTIONS": "the post mentions the account",
    "VENDOR_ON": "the account sells on the market",
    "CONTROLS": "the account controls the wallet",
    "SENT": "the wallet paid the other",
}
PROPERTIES = {
    "id": "linklab's key, unique per label (not meaningful in itself)",
    "name": "the name",
    "born": "year of birth",
    "nationality": "country code (ISO 3166, e.g. IT)",
    "handle": "the account's user name",
    "platform": "the platform (Instagram, Telegram, ...)",
    "created": "when the account was opened (datetime)",
    "number": "the phone number, international form",
    "address": "the address (e-mail, or the wallet's)",
    "type": "city, address, venue or prison",
    "latitude": "latitude in degrees (WGS 84)",
    "longitude": "longitude in degrees (WGS 84)",
    "location": "latitude and longitude as a point: point.distance(a.location, b.location) gives metres",
    "text": "what the post says",
    "time": "when (datetime)",
    "kind": "organisation or crew",
    "status": "seized or active",
    "seized": "when the police seized it (datetime)",
    "chain": "the blockchain (BTC, XMR, ...)",
    "exchange": "the exchange that holds the wallet (cash-out wallets only)",
    "term": "the slang word",
    "meaning": "what it means",
    "language": "language code (en, es, it)",
    "count": "how many messages or calls",
    "first": "the first one (datetime)",
    "last": "the last one (datetime)",
    "since": "since when (datetime)",
    "until": "until when (datetime)",
    "relation": "how they are related (brother, cousin, ...)",
    "pgp": "the fingerprint of the vendor's PGP key",
    "amount": "how much was paid",
    "weight": "how strong the link is (the case file's weight)",
}
# Per label where a property means something else there.
LABEL_PROPERTIES = {
    ("Email", "address"): "the e-mail address",
    ("Wallet", "address"): "the wallet's address",
    ("Location", "name"): "the place's name, or the street address",
    ("Location", "location"): "the place as a point: point.distance(a.location, b.location) gives metres",
    ("Post", "latitude"): "where it was posted from, if geotagged",
    ("Post", "longitude"): "where it was posted from, if geotagged",
    ("Post", "location"): "where it was posted from as a point, if geotagged",
    ("Post", "time"): "when it was posted (datetime)",
    ("SENT", "time"): "when the payment was made (datetime)",
    ("DETAINED_AT", "since"): "since when the person is held (datetime)",
    ("FOLLOWS", "since"): "since when (datetime)",
    ("VENDOR_ON", "since"): "first seen selling there (datetime)",
    ("VENDOR_ON", "until"): "last seen selling there (datetime)",
    ("SENT", "amount"): "the amount, in the wallet's currency",
}
POINT_LABELS = {"Location", "Post"}  # the loader adds `location` where latitude and longitude are given


def meaning(owner: str, prop: str) -> str:
    return LABEL_PROPERTIES.get((owner, prop)) or PROPERTIES.get(prop, "")


def properties_of(owner: str, keys: list[str]) -> list[dict]:
    return [{"name": k, "meaning": meaning(owner, k)} for k in keys]


def read(driver: neo4j.Driver) -> dict:
    """The loaded data's schema: labels with their node counts and properties, relationships as (type, start,
    end) with counts and properties, and the keys the editor completes. Labels, types and pairs without data
    are left out."""
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        counts = {r["label"]: r["c"] for r in session.run(cypher.lab_label_counts())}
        present = [label for label in NODE_PROPERTIES if counts.get(label)]
        keys = {label: [r["k"] for r in session.run(cypher.lab_label_keys(label))] for label in present}
        links = [dict(r) for r in session.run(cypher.lab_relationship_counts()) if r["c"]]
        known = {rel_type for rel_type, _, _ in REL_SPECS}
        for rel_type in [r["t"] for r in session.run(cypher.LAB_RELATIONSHIP_TYPES)]:
            if rel_type not in known and TYPE_PATTERN.fullmatch(rel_type):  # a case's types
                for r in session.run(cypher.lab_case_type_count(rel_type)):
                    if r["start"] in counts and r["end"] in counts:
                        links.append({"type": rel_type, "start": r["start"], "end": r["end"], "c": r["c"]})
    labels = []
    for label in present:
        model = list(NODE_PROPERTIES[label]) + (["location"] if label in POINT_LABELS else [])
        ordered = [k for k in model if k in keys[label]] + sorted(k for k in keys[label] if k not in model)
        labels.append({"name": label, "count": counts[label], "meaning": LABELS.get(label, ""),
                       "properties": properties_of(label, ordered)})
    relationships = []
    for link in links:
        props = list(REL_SPECS.get((link["type"], link["start"], link["end"]), ("weight",)))
        relationships.append({"type": link["type"], "start": link["start"], "end": link["end"], "count": link["c"],
                              "meaning": TYPES.get(link["type"], "a link from the case file"),
                              "properties": properties_of(link["type"], props)})
    property_keys = sorted({p["name"] for item in labels + relationships for p in item["properties"]})
    return {"labels": labels, "relationships": relationships, "propertyKeys": property_keys,
            "relationshipTypes": sorted({r["type"] for r in relationships})}


def briefing_facts(driver: neo4j.Driver) -> dict:
    """What the briefing names from the data: organisations (not their crews), cities, markets, platforms."""
    with driver.session(default_access_mode=neo4j.READ_ACCESS) as session:
        record = session.run(cypher.LAB_BRIEFING).single()
    return {k: sorted(v) for k, v in record.items()}
