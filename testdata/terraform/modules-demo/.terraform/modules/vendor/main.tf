# A registry module as `terraform init` fetched it.
variable "trusted" {
  type    = list(string)
  default = ["arn:aws:iam::111122223333:role/monitoring"]
}

resource "aws_iam_role" "this" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com", AWS = var.trusted }, Action = "sts:AssumeRole" }]
  })
}
