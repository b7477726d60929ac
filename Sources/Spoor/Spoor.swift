// Spoor
