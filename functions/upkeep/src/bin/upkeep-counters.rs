//! `upkeep-counters`: on the table's stream, repairs drifted counters (shared::counters).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run_stream(upkeep::counters).await
}
