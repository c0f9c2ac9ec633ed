//! `GET /message/sync/{type}`: a chat's messages after a sequence number (the chat socket's catch-up).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::messages::sync)).await
}
