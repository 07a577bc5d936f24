output "vpc_id" {
  value = aws_vpc.this.id
}

output "vpc_cidr_block" {
  value = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnet ids by availability zone."
  value       = { for az, s in aws_subnet.public : az => s.id }
}

output "private_subnet_ids" {
  description = "Private subnet ids by availability zone (where EKS runs)."
  value       = { for az, s in aws_subnet.private : az => s.id }
}

output "nat_gateway_ids" {
  value = { for az, n in aws_nat_gateway.this : az => n.id }
}

output "nat_public_ips" {
  value = { for az, e in aws_eip.nat : az => e.public_ip }
}

output "public_route_table_id" {
  value = aws_route_table.public.id
}

output "private_route_table_ids" {
  value = { for az, rt in aws_route_table.private : az => rt.id }
}
