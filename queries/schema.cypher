// linklab schema: applied by `linklab reset` after it drops any older constraints and indexes.
// Every node has a stable `id` per label (never Neo4j's internal element id).
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT phone_id IF NOT EXISTS FOR (n:Phone) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT email_id IF NOT EXISTS FOR (n:Email) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT location_id IF NOT EXISTS FOR (n:Location) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT post_id IF NOT EXISTS FOR (n:Post) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT market_id IF NOT EXISTS FOR (n:Market) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT wallet_id IF NOT EXISTS FOR (n:Wallet) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT term_id IF NOT EXISTS FOR (n:Term) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT scenario_id IF NOT EXISTS FOR (n:Scenario) REQUIRE n.id IS UNIQUE;
// What analysts look things up by.
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE INDEX account_handle IF NOT EXISTS FOR (n:Account) ON (n.handle);
CREATE INDEX phone_number IF NOT EXISTS FOR (n:Phone) ON (n.number);
CREATE INDEX email_address IF NOT EXISTS FOR (n:Email) ON (n.address);
CREATE INDEX wallet_address IF NOT EXISTS FOR (n:Wallet) ON (n.address);
CREATE INDEX location_type IF NOT EXISTS FOR (n:Location) ON (n.type);
CREATE POINT INDEX post_location IF NOT EXISTS FOR (n:Post) ON (n.location);
CREATE POINT INDEX location_location IF NOT EXISTS FOR (n:Location) ON (n.location);
CREATE TEXT INDEX post_text IF NOT EXISTS FOR (n:Post) ON (n.text);
