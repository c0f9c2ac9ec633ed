//! `POST /space/like`: toggle a like of a moment (seed 003 #32).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::like)).await
}
