//! `PUT /api/v2/infos/{id}/hit-share`: count a share (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::reactions::share)).await
}
