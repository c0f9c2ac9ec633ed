//! `POST /space/comment/add/{type}`: comment on a moment or reply to a comment (seed 003 #33).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::comment_add)).await
}
