//! `GET /api/v2/info/categories`: the info categories (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::categories::list)).await
}
