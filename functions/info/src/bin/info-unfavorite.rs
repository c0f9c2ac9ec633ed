//! `DELETE /api/v2/infos/{id}/favorite`: take back a favorite (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::reactions::unfavorite)).await
}
