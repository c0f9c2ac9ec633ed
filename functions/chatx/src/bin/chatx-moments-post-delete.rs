//! `POST /chatx/moments/post/delete`: delete the caller's post.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::posts::delete)).await
}
