//! `GET /space/comment/del/{type}`: delete a comment with its replies, or a reply (seed 003 #34).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::comment_delete)).await
}
