//! `GET /api/v2/info/categories/{id}`: one info category (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::categories::get)).await
}
