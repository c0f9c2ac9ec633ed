//! `GET /message/friend`: a page of the private chat history (seed 003 #36).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::messages::friend_history)).await
}
