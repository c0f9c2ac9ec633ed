//! `GET /message/list`: the caller's conversations (seed 003 #43).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::messages::list)).await
}
