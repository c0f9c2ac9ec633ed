//! `POST /api/v2/auth/login`: log in (info module).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::accounts::login)).await
}
