"""Reading validated CSV files into the database: the contract, readers, validation and the load."""
