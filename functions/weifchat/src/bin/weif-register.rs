//! `POST /register`: register with a phone number (seed 003 #1).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::accounts::register)).await
}
