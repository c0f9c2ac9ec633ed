//! `POST /login`: log in with a phone number (seed 003 #2).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::accounts::login)).await
}
