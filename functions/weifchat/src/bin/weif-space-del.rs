//! `GET /space/del`: delete the caller's moment with its likes and comments (seed 003 #30, #35).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(weifchat::spaces::delete)).await
}
