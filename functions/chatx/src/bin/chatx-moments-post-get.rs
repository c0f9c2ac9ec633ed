//! `POST /chatx/moments/post/get`: one post with its counts.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::posts::get)).await
}
