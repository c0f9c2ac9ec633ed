//! `POST /chatx/moments/like`: like or cancel a like (seed 000).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(chatx::likes::like)).await
}
