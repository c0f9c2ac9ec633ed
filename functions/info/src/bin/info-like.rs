//! `PUT|PATCH /api/v2/infos/{id}/like`: like an info (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::reactions::like)).await
}
