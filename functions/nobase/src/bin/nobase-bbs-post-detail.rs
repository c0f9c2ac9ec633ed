//! `GET|POST /api/bbs/post_detail`: a post with its like count and whether the user likes it.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(nobase::posts::detail)).await
}
