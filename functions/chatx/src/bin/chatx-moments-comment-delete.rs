//! `POST /chatx/moments/comment/delete`: delete a comment.

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::comments::delete)).await
}
