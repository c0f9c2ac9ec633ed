//! `GET /message/read/:type`: mark a conversation read (seed 003 #44).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::messages::read)).await
}
