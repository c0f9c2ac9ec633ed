//! `GET /api/v2/infos/{id}/comments`: an info's comments (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::comments::list)).await
}
