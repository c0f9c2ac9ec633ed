//! `POST /api/v2/users`: register (info module).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::accounts::register)).await
}
