"""Pages of requirement review: requirements, the review board, the roadmap."""
