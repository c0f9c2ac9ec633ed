//! `POST /chatx/moments/post/list`: a user's posts, newest first.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::posts::list)).await
}
