//! `weif-feed-fanout`: on the table's stream, writes a big author's moments into their friends'
//! feeds (weifchat::feed).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_stream(weifchat::feed::fan_out).await
}
