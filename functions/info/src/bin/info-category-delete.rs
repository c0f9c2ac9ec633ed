//! `DELETE /api/v2/info/categories/{id}`: delete an info category (seed 004).

#[tokio::main]
async fn main() -> Result<(), shared::lambda::Error> {
    shared::lambda::run(shared::handler!(info::categories::delete)).await
}
