//! `POST /chatx/moments/comment/list`: a post's comments.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::comments::list)).await
}
