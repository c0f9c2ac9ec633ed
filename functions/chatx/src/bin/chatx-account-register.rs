//! `POST /chatx/account/register`: register an account.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::accounts::register)).await
}
