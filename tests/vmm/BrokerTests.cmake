# Dataset broker tests: filled by its helper.
