//! `POST /chatx/moments/comment/add`: comment or reply (seed 001).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::comments::add)).await
}
