//! `GET /api/v2/user`: the signed-in user (info module).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::accounts::me)).await
}
