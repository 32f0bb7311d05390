//! Facts of the default dataset (see below).
