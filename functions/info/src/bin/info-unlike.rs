//! `DELETE /api/v2/infos/{id}/like`: take back a like (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::reactions::unlike)).await
}
