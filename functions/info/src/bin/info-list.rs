//! `GET /api/v2/infos`: a page of infos (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::infos::list)).await
}
