//! `join_group`: checks membership of a group (weifChat socket).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::chat::join_group)).await
}
