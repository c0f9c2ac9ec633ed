//! `GET /api/v2/info/comments`: every info's comments (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::comments::list_all)).await
}
