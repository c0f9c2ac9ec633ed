//! `POST /chatx/moments/post/add`: publish a post.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::posts::add)).await
}
