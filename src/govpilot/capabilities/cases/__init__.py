"""The case desk: citizens' complaints and enquiries, triaged, worked and answered."""
