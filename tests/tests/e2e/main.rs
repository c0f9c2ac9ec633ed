//! End-to-end tests: real HTTP through the local gateway into the DynamoDB API server.
//! One test binary for the whole workspace (one link instead of many).

mod authorization_matrix;
mod chatx_accounts;
mod chatx_comments;
mod chatx_concurrency;
mod chatx_like;
mod chatx_posts;
mod contract;
mod counters_upkeep;
mod faults;
mod idempotency;
mod info_accounts;
mod info_categories;
mod info_comments;
mod info_infos;
mod info_listing;
mod info_listing_cost;
mod info_reactions;
mod info_storage;
mod logging;
mod nobase_admin;
mod nobase_concurrency;
mod nobase_post_like;
mod nobase_posts;
mod nobase_users;
mod rate_limits;
mod weif_accounts;
mod weif_authorization;
mod weif_feed;
mod weif_friends;
mod weif_groups;
mod weif_messages;
mod weif_notes;
mod weif_socket;
mod weif_spaces;
mod weif_uploads;
