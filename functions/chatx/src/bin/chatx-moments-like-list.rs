//! `POST /chatx/moments/like/list`: a post's likes.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::likes::list)).await
}
