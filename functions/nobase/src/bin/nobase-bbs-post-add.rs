//! `POST /api/bbs/post_add`: add a post to a board.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(nobase::posts::add)).await
}
