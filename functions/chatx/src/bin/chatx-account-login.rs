//! `POST /chatx/account/login`: log in.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::accounts::login)).await
}
