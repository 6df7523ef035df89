"""The catalog: one module per family, each holding declarations. The registry discovers them here."""
