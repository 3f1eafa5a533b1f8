# Root module of the report-modules.json scenario (tests/it/report_formats.rs, --source-dir).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}

module "ci" {
  source   = "./modules/ci"
  for_each = toset(["deploy"])
  name     = each.key
}

module "vendor" {
  source  = "acme/role/aws"
  version = "~> 1.0"
}
