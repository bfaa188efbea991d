//! Full-text search's pure parts: what is indexed of a transcript line ([`extract`]) and how a
//! typed query becomes an FTS5 expression ([`query`]). The index itself lives with the session
//! index's cache (`LiveIndex::update_search`, `LiveIndex::search`).

pub mod extract;
pub mod query;
