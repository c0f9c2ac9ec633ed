//! `GET /message/group`: a page of the group chat history (seed 003 #37).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::messages::group_history)).await
}
